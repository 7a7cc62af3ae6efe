"""Groups of identical machines: GCP managed instance groups and Azure scale sets (controller/cost/pricers_groups.py)."""

from __future__ import annotations

from decimal import Decimal as D

from controller.cost.components import Status
from controller.cost.estimate import estimate
from controller.cost.usage import parse_usage
from controller.terraform.plan_parser import parse_plan

from .conftest import change, plan_doc, with_refs

# Infracost's compute_instance_group_manager_test, "two_disks": f1-micro, two pd-ssd disks (10 and 50 GB), four
# instances in us-central1-a; its golden reads $15.53 for the instances (sustained use), 40 GB and 200 GB pd-ssd.
TWO_DISKS = {"name": "two-disks-template", "machine_type": "f1-micro",
             "disk": [{"disk_type": "pd-ssd", "disk_size_gb": 10}, {"disk_type": "pd-ssd", "disk_size_gb": 50}]}


def _group(template: dict, group: dict, kind: str = "google_compute_instance_group_manager"):
    doc = plan_doc(change("google_compute_instance_template.t", "create", None, template),
                   change(f"{kind}.g", "create", None, group))
    return parse_plan(with_refs(doc, {f"{kind}.g": {"version": ["google_compute_instance_template.t.id",
                                                                 "google_compute_instance_template.t"]}}))


def _row(plan, address: str, usage=None):
    return next(r for r in estimate(plan, usage=usage).resources if r.address == address)


def test_an_instance_group_is_its_size_times_the_templates_machine_and_disks_as_infracosts_golden():
    row = _row(_group(TWO_DISKS, {"zone": "us-central1-a", "target_size": 4}),
               "google_compute_instance_group_manager.g")
    machine, first_disk, second_disk = row.after.components
    assert row.status is Status.PRICED
    assert round(machine.monthly, 2) == D("15.53") and "4 × f1-micro" in machine.name
    assert (first_disk.quantity, round(first_disk.monthly, 2)) == (D(40), D("6.80"))
    assert (second_disk.quantity, round(second_disk.monthly, 2)) == (D(200), D("34.00"))


def test_a_regional_group_uses_its_region_and_a_group_with_no_size_assumes_one_and_says_so():
    row = _row(_group(TWO_DISKS, {"region": "europe-west1"}, "google_compute_region_instance_group_manager"),
               "google_compute_region_instance_group_manager.g")
    assert row.status is Status.PRICED and "assumed: target_size not set" in row.after.components[0].name
    assert row.after.components[0].ref.region == "europe-west1"


def test_an_empty_group_costs_nothing_now_and_a_missing_template_is_named():
    empty = _row(_group(TWO_DISKS, {"zone": "us-central1-a", "target_size": 0}),
                 "google_compute_instance_group_manager.g")
    assert empty.after.monthly == 0 and "autoscaler may add" in empty.after.components[0].note
    alone = parse_plan(plan_doc(change("google_compute_instance_group_manager.g", "create", None,
                                       {"zone": "us-central1-a", "target_size": 2})))
    row = estimate(alone).resources[0]
    assert row.status is Status.NOT_PRICED and "instance template is not in this plan" in row.reason


def test_template_disks_without_a_size_take_a_known_images_size_and_gpus_are_a_named_gap():
    template = {"machine_type": "n1-standard-4",
                "disk": [{"source_image": "debian-cloud/debian-12", "disk_type": "pd-balanced"},
                         {"source_image": "projects/my-project/global/images/custom", "disk_type": "pd-ssd"}],
                "guest_accelerator": [{"type": "nvidia-tesla-t4", "count": 2}]}
    row = _row(_group(template, {"zone": "us-central1-a", "target_size": 3}), "google_compute_instance_group_manager.g")
    machine, image_disk, custom_disk, gpus = row.after.components
    assert image_disk.quantity == 30 and "assumed: size comes from the image" in image_disk.name
    assert custom_disk.monthly is None and "size not known" in custom_disk.note
    assert gpus.monthly is None and "6 × nvidia-tesla-t4" in gpus.name and "GPU prices" in gpus.note
    assert row.status is Status.PARTIAL


def _scale_set(kind: str, values: dict):
    return parse_plan(plan_doc(change(f"{kind}.s", "create", None, values)))


def test_a_linux_scale_set_is_its_instances_times_the_vm_and_its_disks():
    values = {"location": "West Europe", "sku": "Standard_D2s_v5", "instances": 3,
              "os_disk": [{"storage_account_type": "Premium_LRS", "disk_size_gb": 32}],
              "data_disk": [{"storage_account_type": "Standard_LRS", "disk_size_gb": 100}]}
    row = estimate(_scale_set("azurerm_linux_virtual_machine_scale_set", values)).resources[0]
    machine, os_disk, data_disk = row.after.components
    assert row.status is Status.PRICED
    assert machine.monthly == 3 * D("0.115") * 730 and "3 × Standard_D2s_v5" in machine.name
    # Retail Prices API snapshot (azure-pricing-radar): P4 LRS $5.8072, S10 LRS $5.888 a month in westeurope
    assert (os_disk.quantity, os_disk.monthly) == (3, 3 * D("5.8072")) and "P4" in os_disk.name
    assert (data_disk.quantity, data_disk.monthly) == (3, 3 * D("5.888")) and "S10" in data_disk.name
    in_eastus = dict(values, location="eastus")  # S10 is not recorded there: named, not guessed
    assert "S10 in eastus is not in the pricing catalog" in \
        estimate(_scale_set("azurerm_linux_virtual_machine_scale_set", in_eastus)).resources[0].reason


def test_a_usage_file_sets_an_autoscaled_sets_size_and_an_empty_set_costs_nothing():
    values = {"location": "eastus", "sku": "Standard_D2s_v5", "instances": 0, "os_disk": [{}]}
    plan = _scale_set("azurerm_linux_virtual_machine_scale_set", values)
    assert estimate(plan).after == 0
    usage = parse_usage("resource_usage:\n  azurerm_linux_virtual_machine_scale_set.s:\n    instances: 5\n")
    row = estimate(plan, usage=usage).resources[0]
    assert row.after.components[0].quantity == 5 * 730 and "usage file: instances" in row.after.components[0].name


def test_windows_and_spot_scale_sets_are_not_given_linux_on_demand_prices():
    windows = estimate(_scale_set("azurerm_windows_virtual_machine_scale_set",
                                  {"location": "eastus", "sku": "Standard_D2s_v5", "instances": 2})).resources[0]
    assert windows.status is Status.NOT_PRICED and "Windows VM size (licence included) Standard_D2s_v5 in eastus" \
        in windows.reason
    in_europe = estimate(_scale_set("azurerm_windows_virtual_machine_scale_set",
                                    {"location": "westeurope", "sku": "Standard_D2s_v5", "instances": 2})).resources[0]
    assert in_europe.after.components[0].monthly == 2 * D("0.207") * 730  # Linux: 0.115
    spot = estimate(_scale_set("azurerm_linux_virtual_machine_scale_set",
                               {"location": "eastus", "sku": "Standard_D2s_v5", "instances": 2,
                                "priority": "Spot"})).resources[0]
    assert spot.status is Status.NOT_PRICED and "spot prices move" in spot.reason


def test_the_legacy_scale_set_reads_its_sku_block_and_storage_profile():
    values = {"location": "westeurope", "sku": [{"name": "Standard_B2s", "capacity": 2}],
              "storage_profile_os_disk": [{"managed_disk_type": "StandardSSD_LRS"}],
              "storage_profile_data_disk": [{"managed_disk_type": "Premium_LRS", "disk_size_gb": 64}]}
    row = estimate(_scale_set("azurerm_virtual_machine_scale_set", values)).resources[0]
    machine, os_disk, data_disk = row.after.components
    assert machine.monthly == 2 * D("0.048") * 730
    assert "30 GB, assumed" in os_disk.name and os_disk.monthly == 2 * D("2.4")
    assert "P6" in data_disk.name and data_disk.monthly == 2 * D("11.2272") and row.status is Status.PRICED
    legacy_windows = dict(values, os_profile_windows_config=[{}])
    windows = estimate(_scale_set("azurerm_virtual_machine_scale_set", legacy_windows)).resources[0]
    assert windows.after.components[0].monthly == 2 * D("0.056") * 730 and "Windows" in windows.after.components[0].name


def test_a_zone_redundant_disk_is_priced_as_its_own_tier_not_as_the_cheaper_lrs_one():
    from controller.cost.pricers_azure import disk_tier
    assert disk_tier("StandardSSD_ZRS", D(32)) == "E4_ZRS" and disk_tier("StandardSSD_LRS", D(32)) == "E4"
    disk = parse_plan(plan_doc(change("azurerm_managed_disk.d", "create", None, {
        "location": "westeurope", "storage_account_type": "StandardSSD_ZRS", "disk_size_gb": 32})))
    assert estimate(disk).after == D("3.6")  # E4 ZRS; E4 LRS is 2.4

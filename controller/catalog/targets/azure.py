"""The ``azure`` target: hashicorp/azurerm provider (v3) resources.

Every project has one resource group (``resource-group.tf``); resources name
their own location. A vm without a network gets its own small VNet. Admin
credentials come from variables declared in ``versions.tf``, never literals.
"""

from __future__ import annotations

from typing import Any

from .. import hcl
from ..specs import (
    BucketSpec,
    ClusterSpec,
    DatabaseSpec,
    Kind,
    NetworkSpec,
    ResourceSpec,
    SubnetSpec,
    Target,
    VmSpec,
    standard_labels,
    subnet_local_name,
)
from ..offerings import offerings
from .base import ParseContext, RenderOptions, common_from_labels, network_ref, ref_name

PRIMARY = {
    "azurerm_linux_virtual_machine": Kind.VM,
    "azurerm_postgresql_flexible_server": Kind.DATABASE,
    "azurerm_mysql_flexible_server": Kind.DATABASE,
    "azurerm_virtual_network": Kind.NETWORK,
    "azurerm_storage_account": Kind.BUCKET,
    "azurerm_kubernetes_cluster": Kind.CLUSTER,
}
PROVIDER_VERSION = "~> 3.116"
RESOURCE_GROUP = "azurerm_resource_group.project"
ADMIN = "cloudops"
OWN_VNET_CIDR = "10.0.0.0/24"


def _placed(spec: ResourceSpec) -> dict[str, Any]:
    return {"resource_group_name": hcl.expr(f"{RESOURCE_GROUP}.name"), "location": hcl.string(spec.region)}


def _tags(spec: ResourceSpec) -> dict[str, str]:
    return hcl.str_map(standard_labels(spec))


def render(spec: ResourceSpec, options: RenderOptions) -> hcl.Document:
    doc = hcl.Document()
    if isinstance(spec, VmSpec):
        _vm(doc, spec)
    elif isinstance(spec, DatabaseSpec):
        _database(doc, spec)
    elif isinstance(spec, NetworkSpec):
        _network(doc, spec)
    elif isinstance(spec, BucketSpec):
        _bucket(doc, spec)
    elif isinstance(spec, ClusterSpec):
        _cluster(doc, spec)
    return doc


def _vm(doc: hcl.Document, spec: VmSpec) -> None:
    n = spec.local_name
    if spec.network and spec.subnet:
        subnet_id = hcl.expr(f"azurerm_subnet.{subnet_local_name(spec.network, spec.subnet)}.id")
    else:
        doc.resource("azurerm_virtual_network", n, {
            "name": hcl.string(f"{spec.name}-vnet"), **_placed(spec),
            "address_space": hcl.strings([OWN_VNET_CIDR]), "tags": _tags(spec),
        })
        doc.resource("azurerm_subnet", n, {
            "name": hcl.string("default"),
            "resource_group_name": hcl.expr(f"{RESOURCE_GROUP}.name"),
            "virtual_network_name": hcl.expr(f"azurerm_virtual_network.{n}.name"),
            "address_prefixes": hcl.strings([OWN_VNET_CIDR]),
        })
        subnet_id = hcl.expr(f"azurerm_subnet.{n}.id")
    doc.resource("azurerm_network_interface", n, {
        "name": hcl.string(f"{spec.name}-nic"), **_placed(spec),
        "ip_configuration": [hcl.block({
            "name": hcl.string("internal"),
            "subnet_id": subnet_id,
            "private_ip_address_allocation": hcl.string("Dynamic"),
        })],
        "tags": _tags(spec),
    })
    doc.resource("azurerm_linux_virtual_machine", n, {
        "name": hcl.string(spec.name), **_placed(spec),
        "size": hcl.string(spec.size),
        "zone": hcl.string(spec.zone or offerings(Target.AZURE).zones(spec.region)[0]),
        "admin_username": hcl.string(ADMIN),
        "network_interface_ids": [hcl.expr(f"azurerm_network_interface.{n}.id")],
        "admin_ssh_key": [hcl.block({"username": hcl.string(ADMIN), "public_key": hcl.expr("var.admin_ssh_public_key")})],
        "os_disk": [hcl.block({
            "caching": hcl.string("ReadWrite"),
            "storage_account_type": hcl.string("StandardSSD_LRS"),
            "disk_size_gb": spec.disk_gb,
        })],
        "source_image_reference": [hcl.block({
            "publisher": hcl.string("Canonical"),
            "offer": hcl.string("0001-com-ubuntu-server-jammy"),
            "sku": hcl.string("22_04-lts-gen2"),
            "version": hcl.string("latest"),
        })],
        "tags": _tags(spec),
    })


def _database(doc: hcl.Document, spec: DatabaseSpec) -> None:
    body: dict[str, Any] = {
        "name": hcl.string(spec.name), **_placed(spec),
        "version": hcl.string(spec.version),
        "sku_name": hcl.string(spec.tier),
        "administrator_login": hcl.string(ADMIN),
        "administrator_password": hcl.expr("var.db_admin_password"),
        "backup_retention_days": 7,
    }
    if spec.engine == "postgres":
        body["storage_mb"] = spec.storage_gb * 1024
        body["tags"] = _tags(spec)
        doc.resource("azurerm_postgresql_flexible_server", spec.local_name, body)
    else:
        body["storage"] = [hcl.block({"size_gb": spec.storage_gb})]
        body["tags"] = _tags(spec)
        doc.resource("azurerm_mysql_flexible_server", spec.local_name, body)


def _network(doc: hcl.Document, spec: NetworkSpec) -> None:
    doc.resource("azurerm_virtual_network", spec.local_name, {
        "name": hcl.string(spec.name), **_placed(spec),
        "address_space": hcl.strings([spec.cidr]),
        "tags": _tags(spec),
    })
    for subnet in spec.subnets:
        doc.resource("azurerm_subnet", subnet_local_name(spec.name, subnet.name), {
            "name": hcl.string(subnet.name),
            "resource_group_name": hcl.expr(f"{RESOURCE_GROUP}.name"),
            "virtual_network_name": hcl.expr(f"azurerm_virtual_network.{spec.local_name}.name"),
            "address_prefixes": hcl.strings([subnet.cidr]),
        })


def _bucket(doc: hcl.Document, spec: BucketSpec) -> None:
    n = spec.local_name
    doc.resource("azurerm_storage_account", n, {
        "name": hcl.string(spec.name), **_placed(spec),
        "account_tier": hcl.string("Standard"),
        "account_replication_type": hcl.string("LRS"),
        "access_tier": hcl.string(spec.storage_class),
        "min_tls_version": hcl.string("TLS1_2"),
        "allow_nested_items_to_be_public": False,
        "blob_properties": [hcl.block({"versioning_enabled": spec.versioning})],
        "tags": _tags(spec),
    })
    doc.resource("azurerm_storage_container", n, {
        "name": hcl.string("data"),
        "storage_account_name": hcl.expr(f"azurerm_storage_account.{n}.name"),
        "container_access_type": hcl.string("private"),
    })


def _cluster(doc: hcl.Document, spec: ClusterSpec) -> None:
    pool: dict[str, Any] = {
        "name": hcl.string("system"),
        "vm_size": hcl.string(spec.node_size),
        "node_count": spec.node_count,
    }
    if spec.network and spec.subnets:
        pool["vnet_subnet_id"] = hcl.expr(f"azurerm_subnet.{subnet_local_name(spec.network, spec.subnets[0])}.id")
    doc.resource("azurerm_kubernetes_cluster", spec.local_name, {
        "name": hcl.string(spec.name), **_placed(spec),
        "dns_prefix": hcl.string(spec.name),
        "kubernetes_version": hcl.string(spec.version),
        "default_node_pool": [hcl.block(pool)],
        "identity": [hcl.block({"type": hcl.string("SystemAssigned")})],
        "tags": _tags(spec),
    })


def project_files(project: str, region: str) -> dict[str, hcl.Document]:
    versions = hcl.Document().add("terraform", [], {
        "required_version": hcl.string(">= 1.0"),
        "required_providers": [hcl.block({"azurerm": {"source": hcl.string("hashicorp/azurerm"), "version": hcl.string(PROVIDER_VERSION)}})],
    }).add("provider", ["azurerm"], {"features": [hcl.block({})]})
    versions.add("variable", ["admin_ssh_public_key"], {
        "type": hcl.expr("string"), "description": hcl.string("SSH public key (ssh-rsa, 2048+ bits) for the vms' admin user"),
    })
    versions.add("variable", ["db_admin_password"], {
        "type": hcl.expr("string"), "description": hcl.string("Administrator password for the database servers"), "sensitive": True,
    })
    group = hcl.Document().resource("azurerm_resource_group", "project", {
        "name": hcl.string(f"rg-{project}"),
        "location": hcl.string(region),
        "tags": hcl.str_map({"managed-by": "cloudops", "project": project}),
    })
    return {"versions.tf": versions, "resource-group.tf": group}


def spec_from(type_: str, local: str, body: dict[str, Any], ctx: ParseContext) -> ResourceSpec:
    g = hcl.unquote
    common = {"name": g(body["name"]), "target": Target.AZURE, "region": g(body["location"]),
              **common_from_labels(hcl.literal_map(body.get("tags")))}
    if type_ == "azurerm_linux_virtual_machine":
        nic = hcl.first_block(ctx.companion("azurerm_network_interface", local), "ip_configuration")
        net, sub = network_ref(ref_name(nic.get("subnet_id"), "azurerm_subnet"))
        return VmSpec(size=g(body["size"]), zone=g(body["zone"]), disk_gb=int(hcl.first_block(body, "os_disk")["disk_size_gb"]),
                      network=net, subnet=sub, **common)
    if type_ in ("azurerm_postgresql_flexible_server", "azurerm_mysql_flexible_server"):
        if type_ == "azurerm_postgresql_flexible_server":
            engine, storage_gb = "postgres", int(body["storage_mb"]) // 1024
        else:
            engine, storage_gb = "mysql", int(hcl.first_block(body, "storage")["size_gb"])
        return DatabaseSpec(engine=engine, version=g(body["version"]), tier=g(body["sku_name"]), storage_gb=storage_gb, **common)
    if type_ == "azurerm_virtual_network":
        subnets = []
        for (rtype, name), sub_body in ctx.resources.items():
            net, sub = network_ref(name)
            if rtype == "azurerm_subnet" and sub and ref_name(sub_body.get("virtual_network_name"), type_) == local:
                subnets.append(SubnetSpec(name=g(sub_body["name"]), cidr=g(sub_body["address_prefixes"][0])))
        return NetworkSpec(cidr=g(body["address_space"][0]), subnets=tuple(subnets), **common)
    if type_ == "azurerm_storage_account":
        return BucketSpec(storage_class=g(body["access_tier"]),
                          versioning=bool(hcl.first_block(body, "blob_properties").get("versioning_enabled")), **common)
    pool = hcl.first_block(body, "default_node_pool")
    net, sub = network_ref(ref_name(pool.get("vnet_subnet_id"), "azurerm_subnet"))
    return ClusterSpec(node_size=g(pool["vm_size"]), node_count=int(pool["node_count"]), version=g(body["kubernetes_version"]),
                       network=net, subnets=(sub,) if sub else (), **common)

# vm web for project shop, requested by alice.
# Managed by cloudops: change it through a pull request.
resource "null_resource" "vm_web" {
  triggers = {
    cloudops_kind   = "vm"
    cloudops_target = "local"
    name            = "web"
    project         = "shop"
    requested_by    = "alice"
    managed_by      = "cloudops"
    region          = "local-1"
    size            = "small"
    zone            = "local-1a"
    disk_gb         = "30"
    vcpu            = "2"
    memory_gb       = "2"
    price_profile   = "gcp/e2-small"
    network         = "main"
    subnet          = "app"
    label_team      = "storefront"
  }

  provisioner "local-exec" {
    command = "sleep 1"
  }
}

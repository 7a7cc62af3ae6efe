# vm web for project example, requested by cloudops.
# Managed by cloudops: change it through a pull request.
resource "null_resource" "vm_web" {
  triggers = {
    cloudops_kind   = "vm"
    cloudops_target = "local"
    name            = "web"
    project         = "example"
    requested_by    = "cloudops"
    managed_by      = "cloudops"
    region          = "local-1"
    size            = "small"
    zone            = "local-1a"
    disk_gb         = "20"
    vcpu            = "2"
    memory_gb       = "2"
    price_profile   = "gcp/e2-small"
  }

  provisioner "local-exec" {
    command = "sleep 1"
  }
}

# network main for project shop, requested by alice.
# Managed by cloudops: change it through a pull request.
resource "null_resource" "network_main" {
  triggers = {
    cloudops_kind   = "network"
    cloudops_target = "local"
    name            = "main"
    project         = "shop"
    requested_by    = "alice"
    managed_by      = "cloudops"
    region          = "local-1"
    cidr            = "10.20.0.0/16"
    subnet_app      = "10.20.1.0/24"
    subnet_data     = "10.20.2.0/24"
  }

  provisioner "local-exec" {
    command = "sleep 1"
  }
}

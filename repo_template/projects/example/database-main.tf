# database main for project example, requested by cloudops.
# Managed by cloudops: change it through a pull request.
resource "null_resource" "database_main" {
  triggers = {
    cloudops_kind   = "database"
    cloudops_target = "local"
    name            = "main"
    project         = "example"
    requested_by    = "cloudops"
    managed_by      = "cloudops"
    region          = "local-1"
    engine          = "postgres"
    version         = "16"
    tier            = "small"
    storage_gb      = "20"
    price_profile   = "gcp/db-g1-small"
  }

  provisioner "local-exec" {
    command = "sleep 1"
  }
}

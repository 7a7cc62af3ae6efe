# database orders for project shop, requested by alice.
# Managed by cloudops: change it through a pull request.
resource "null_resource" "database_orders" {
  triggers = {
    cloudops_kind   = "database"
    cloudops_target = "local"
    name            = "orders"
    project         = "shop"
    requested_by    = "alice"
    managed_by      = "cloudops"
    region          = "local-1"
    engine          = "postgres"
    version         = "16"
    tier            = "small"
    storage_gb      = "32"
    price_profile   = "gcp/db-g1-small"
  }

  provisioner "local-exec" {
    command = "sleep 1"
  }
}

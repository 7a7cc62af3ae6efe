# cluster apps for project shop, requested by alice.
# Managed by cloudops: change it through a pull request.
resource "null_resource" "cluster_apps" {
  triggers = {
    cloudops_kind   = "cluster"
    cloudops_target = "local"
    name            = "apps"
    project         = "shop"
    requested_by    = "alice"
    managed_by      = "cloudops"
    region          = "local-1"
    node_size       = "medium"
    node_count      = "2"
    version         = "1.30"
    price_profile   = "gcp/e2-medium"
    network         = "main"
    subnets         = "app"
  }

  provisioner "local-exec" {
    command = "sleep 1"
  }
}

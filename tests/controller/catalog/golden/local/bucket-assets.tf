# bucket assets for project shop, requested by alice.
# Managed by cloudops: change it through a pull request.
resource "null_resource" "bucket_assets" {
  triggers = {
    cloudops_kind   = "bucket"
    cloudops_target = "local"
    name            = "assets"
    project         = "shop"
    requested_by    = "alice"
    managed_by      = "cloudops"
    region          = "local-1"
    storage_class   = "standard"
    versioning      = "true"
    price_profile   = "gcp/STANDARD"
  }

  provisioner "local-exec" {
    command = "sleep 1"
  }
}

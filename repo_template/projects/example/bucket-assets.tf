# bucket assets for project example, requested by cloudops.
# Managed by cloudops: change it through a pull request.
resource "null_resource" "bucket_assets" {
  triggers = {
    cloudops_kind   = "bucket"
    cloudops_target = "local"
    name            = "assets"
    project         = "example"
    requested_by    = "cloudops"
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

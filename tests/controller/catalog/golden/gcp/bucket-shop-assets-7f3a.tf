# bucket shop-assets-7f3a for project shop, requested by alice.
# Managed by cloudops: change it through a pull request.
resource "google_storage_bucket" "bucket_shop-assets-7f3a" {
  name                        = "shop-assets-7f3a"
  location                    = "EUROPE-WEST1"
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  labels = {
    managed-by   = "cloudops"
    requested-by = "alice"
    project      = "shop"
  }

  versioning {
    enabled = true
  }
}

# database orders for project shop, requested by alice.
# Managed by cloudops: change it through a pull request.
resource "google_sql_database_instance" "database_orders" {
  name                = "orders"
  region              = "europe-west1"
  database_version    = "POSTGRES_15"
  deletion_protection = true

  settings {
    tier      = "db-custom-1-3840"
    disk_size = 32
    disk_type = "PD_SSD"
    user_labels = {
      managed-by   = "cloudops"
      requested-by = "alice"
      project      = "shop"
    }

    backup_configuration {
      enabled = true
    }
  }
}

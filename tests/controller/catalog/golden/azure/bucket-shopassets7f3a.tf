# bucket shopassets7f3a for project shop, requested by alice.
# Managed by cloudops: change it through a pull request.
resource "azurerm_storage_account" "bucket_shopassets7f3a" {
  name                            = "shopassets7f3a"
  resource_group_name             = azurerm_resource_group.project.name
  location                        = "westeurope"
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  access_tier                     = "Cool"
  min_tls_version                 = "TLS1_2"
  allow_nested_items_to_be_public = false

  blob_properties {
    versioning_enabled = true
  }

  tags = {
    managed-by   = "cloudops"
    requested-by = "alice"
    project      = "shop"
  }
}

resource "azurerm_storage_container" "bucket_shopassets7f3a" {
  name                  = "data"
  storage_account_name  = azurerm_storage_account.bucket_shopassets7f3a.name
  container_access_type = "private"
}

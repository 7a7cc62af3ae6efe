# Provider requirements of project shop (azure).
# Managed by cloudops.
resource "azurerm_resource_group" "project" {
  name     = "rg-shop"
  location = "westeurope"
  tags = {
    managed-by = "cloudops"
    project    = "shop"
  }
}

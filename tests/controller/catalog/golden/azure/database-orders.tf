# database orders for project shop, requested by alice.
# Managed by cloudops: change it through a pull request.
resource "azurerm_postgresql_flexible_server" "database_orders" {
  name                   = "orders"
  resource_group_name    = azurerm_resource_group.project.name
  location               = "westeurope"
  version                = "16"
  sku_name               = "B_Standard_B1ms"
  administrator_login    = "cloudops"
  administrator_password = var.db_admin_password
  backup_retention_days  = 7
  storage_mb             = 32768
  tags = {
    managed-by   = "cloudops"
    requested-by = "alice"
    project      = "shop"
  }
}

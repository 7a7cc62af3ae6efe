# network main for project shop, requested by alice.
# Managed by cloudops: change it through a pull request.
resource "azurerm_virtual_network" "network_main" {
  name                = "main"
  resource_group_name = azurerm_resource_group.project.name
  location            = "westeurope"
  address_space = [
    "10.20.0.0/16",
  ]
  tags = {
    managed-by   = "cloudops"
    requested-by = "alice"
    project      = "shop"
  }
}

resource "azurerm_subnet" "network_main__app" {
  name                 = "app"
  resource_group_name  = azurerm_resource_group.project.name
  virtual_network_name = azurerm_virtual_network.network_main.name
  address_prefixes = [
    "10.20.1.0/24",
  ]
}

resource "azurerm_subnet" "network_main__data" {
  name                 = "data"
  resource_group_name  = azurerm_resource_group.project.name
  virtual_network_name = azurerm_virtual_network.network_main.name
  address_prefixes = [
    "10.20.2.0/24",
  ]
}

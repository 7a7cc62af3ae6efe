# cluster apps for project shop, requested by alice.
# Managed by cloudops: change it through a pull request.
resource "azurerm_kubernetes_cluster" "cluster_apps" {
  name                = "apps"
  resource_group_name = azurerm_resource_group.project.name
  location            = "westeurope"
  dns_prefix          = "apps"
  kubernetes_version  = "1.30"

  default_node_pool {
    name           = "system"
    vm_size        = "Standard_D2s_v5"
    node_count     = 2
    vnet_subnet_id = azurerm_subnet.network_main__app.id
  }

  identity {
    type = "SystemAssigned"
  }

  tags = {
    managed-by   = "cloudops"
    requested-by = "alice"
    project      = "shop"
  }
}

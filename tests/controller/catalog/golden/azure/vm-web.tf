# vm web for project shop, requested by alice.
# Managed by cloudops: change it through a pull request.
resource "azurerm_network_interface" "vm_web" {
  name                = "web-nic"
  resource_group_name = azurerm_resource_group.project.name
  location            = "westeurope"

  ip_configuration {
    name                          = "internal"
    subnet_id                     = azurerm_subnet.network_main__app.id
    private_ip_address_allocation = "Dynamic"
  }

  tags = {
    managed-by   = "cloudops"
    requested-by = "alice"
    project      = "shop"
    team         = "storefront"
  }
}

resource "azurerm_linux_virtual_machine" "vm_web" {
  name                = "web"
  resource_group_name = azurerm_resource_group.project.name
  location            = "westeurope"
  size                = "Standard_B2s"
  zone                = "1"
  admin_username      = "cloudops"
  network_interface_ids = [
    azurerm_network_interface.vm_web.id,
  ]

  admin_ssh_key {
    username   = "cloudops"
    public_key = var.admin_ssh_public_key
  }

  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "StandardSSD_LRS"
    disk_size_gb         = 30
  }

  source_image_reference {
    publisher = "Canonical"
    offer     = "0001-com-ubuntu-server-jammy"
    sku       = "22_04-lts-gen2"
    version   = "latest"
  }

  tags = {
    managed-by   = "cloudops"
    requested-by = "alice"
    project      = "shop"
    team         = "storefront"
  }
}

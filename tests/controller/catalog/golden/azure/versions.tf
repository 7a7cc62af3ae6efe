# Provider requirements of project shop (azure).
# Managed by cloudops.
terraform {
  required_version = ">= 1.0"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 3.116"
    }
  }
}

provider "azurerm" {
  features {

  }
}

variable "admin_ssh_public_key" {
  type        = string
  description = "SSH public key (ssh-rsa, 2048+ bits) for the vms' admin user"
}

variable "db_admin_password" {
  type        = string
  description = "Administrator password for the database servers"
  sensitive   = true
}

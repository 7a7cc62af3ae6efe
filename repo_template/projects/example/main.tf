# The bundled example project: local-target resources that real terraform
# plans and applies through the null provider. Each carries its spec in
# `triggers`, so cost, policy and progress read it as they would a cloud's.
terraform {
  required_version = ">= 1.0"
  required_providers {
    null = {
      source  = "hashicorp/null"
      version = "2.1.2"
    }
  }
}

resource "null_resource" "vm_web" {
  triggers = {
    cloudops_kind   = "vm"
    cloudops_target = "local"
    name            = "web"
    size            = "small"
    region          = "local-1"
    managed_by      = "cloudops"
  }
  provisioner "local-exec" {
    command = "sleep 1"
  }
}

resource "null_resource" "db_main" {
  triggers = {
    cloudops_kind   = "database"
    cloudops_target = "local"
    name            = "main"
    engine          = "postgres"
    tier            = "small"
    region          = "local-1"
    managed_by      = "cloudops"
  }
  provisioner "local-exec" {
    command = "sleep 2"
  }
}

resource "null_resource" "bucket_assets" {
  triggers = {
    cloudops_kind   = "bucket"
    cloudops_target = "local"
    name            = "assets"
    storage_class   = "standard"
    region          = "local-1"
    managed_by      = "cloudops"
  }
  provisioner "local-exec" {
    command = "sleep 1"
  }
}

output "web_address" {
  value = "web.local-1.example.internal"
}

# Provider requirements of project shop (gcp).
# Managed by cloudops.
terraform {
  required_version = ">= 1.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 5.0"
    }
  }
}

provider "google" {
  region = "europe-west1"
}

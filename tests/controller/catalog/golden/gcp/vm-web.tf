# vm web for project shop, requested by alice.
# Managed by cloudops: change it through a pull request.
resource "google_compute_instance" "vm_web" {
  name         = "web"
  machine_type = "e2-medium"
  zone         = "europe-west1-b"
  labels = {
    managed-by   = "cloudops"
    requested-by = "alice"
    project      = "shop"
    team         = "storefront"
  }

  boot_disk {
    initialize_params {
      image = "debian-cloud/debian-12"
      size  = 30
    }
  }

  network_interface {
    subnetwork = google_compute_subnetwork.network_main__app.id
  }

  shielded_instance_config {
    enable_secure_boot = true
  }

  metadata = {
    enable-oslogin = "TRUE"
  }
}

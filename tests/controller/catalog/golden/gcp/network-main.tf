# network main for project shop, requested by alice.
# Managed by cloudops: change it through a pull request.
resource "google_compute_network" "network_main" {
  name                    = "main"
  description             = "address space 10.20.0.0/16; managed-by=cloudops requested-by=alice project=shop"
  auto_create_subnetworks = false
  routing_mode            = "REGIONAL"
}

resource "google_compute_subnetwork" "network_main__app" {
  name                     = "main-app"
  description              = "subnet app of main; managed-by=cloudops requested-by=alice project=shop"
  region                   = "europe-west1"
  network                  = google_compute_network.network_main.id
  ip_cidr_range            = "10.20.1.0/24"
  private_ip_google_access = true
}

resource "google_compute_subnetwork" "network_main__data" {
  name                     = "main-data"
  description              = "subnet data of main; managed-by=cloudops requested-by=alice project=shop"
  region                   = "europe-west1"
  network                  = google_compute_network.network_main.id
  ip_cidr_range            = "10.20.2.0/24"
  private_ip_google_access = true
}

# cluster apps for project shop, requested by alice.
# Managed by cloudops: change it through a pull request.
resource "google_container_cluster" "cluster_apps" {
  name                     = "apps"
  location                 = "europe-west1"
  min_master_version       = "1.30"
  remove_default_node_pool = true
  initial_node_count       = 1
  resource_labels = {
    managed-by   = "cloudops"
    requested-by = "alice"
    project      = "shop"
  }
  network    = google_compute_network.network_main.id
  subnetwork = google_compute_subnetwork.network_main__app.id

  release_channel {
    channel = "REGULAR"
  }
}

resource "google_container_node_pool" "cluster_apps" {
  name     = "primary"
  cluster  = google_container_cluster.cluster_apps.id
  location = "europe-west1"
  node_locations = [
    "europe-west1-b",
  ]
  node_count = 2

  node_config {
    machine_type = "e2-standard-4"
    labels = {
      managed-by   = "cloudops"
      requested-by = "alice"
      project      = "shop"
    }
    oauth_scopes = [
      "https://www.googleapis.com/auth/cloud-platform",
    ]
  }
}

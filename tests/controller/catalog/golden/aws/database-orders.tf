# database orders for project shop, requested by alice.
# Managed by cloudops: change it through a pull request.
resource "aws_db_instance" "database_orders" {
  identifier                  = "orders"
  engine                      = "postgres"
  engine_version              = "16"
  instance_class              = "db.t3.micro"
  allocated_storage           = 32
  storage_type                = "gp3"
  storage_encrypted           = true
  username                    = "cloudops"
  manage_master_user_password = true
  backup_retention_period     = 7
  skip_final_snapshot         = false
  final_snapshot_identifier   = "orders-final"
  tags = {
    Name         = "orders"
    managed-by   = "cloudops"
    requested-by = "alice"
    project      = "shop"
  }
}

# network main for project shop, requested by alice.
# Managed by cloudops: change it through a pull request.
resource "aws_vpc" "network_main" {
  cidr_block           = "10.20.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags = {
    Name         = "main"
    managed-by   = "cloudops"
    requested-by = "alice"
    project      = "shop"
  }
}

resource "aws_subnet" "network_main__app" {
  vpc_id            = aws_vpc.network_main.id
  cidr_block        = "10.20.1.0/24"
  availability_zone = "eu-west-1a"
  tags = {
    Name         = "main-app"
    managed-by   = "cloudops"
    requested-by = "alice"
    project      = "shop"
  }
}

resource "aws_subnet" "network_main__data" {
  vpc_id            = aws_vpc.network_main.id
  cidr_block        = "10.20.2.0/24"
  availability_zone = "eu-west-1b"
  tags = {
    Name         = "main-data"
    managed-by   = "cloudops"
    requested-by = "alice"
    project      = "shop"
  }
}

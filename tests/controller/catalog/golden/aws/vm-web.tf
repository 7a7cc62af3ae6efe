# vm web for project shop, requested by alice.
# Managed by cloudops: change it through a pull request.
data "aws_ami" "vm_web" {
  most_recent = true
  owners = [
    "099720109477",
  ]

  filter {
    name = "name"
    values = [
      "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*",
    ]
  }
}

resource "aws_instance" "vm_web" {
  ami           = data.aws_ami.vm_web.id
  instance_type = "t3.small"
  subnet_id     = aws_subnet.network_main__app.id

  root_block_device {
    volume_size = 30
    volume_type = "gp3"
    encrypted   = true
  }

  metadata_options {
    http_tokens = "required"
  }

  tags = {
    Name         = "web"
    managed-by   = "cloudops"
    requested-by = "alice"
    project      = "shop"
    team         = "storefront"
  }
}

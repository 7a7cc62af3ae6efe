# bucket shop-assets-7f3a for project shop, requested by alice.
# Managed by cloudops: change it through a pull request.
resource "aws_s3_bucket" "bucket_shop-assets-7f3a" {
  bucket = "shop-assets-7f3a"
  tags = {
    Name         = "shop-assets-7f3a"
    managed-by   = "cloudops"
    requested-by = "alice"
    project      = "shop"
  }
}

resource "aws_s3_bucket_versioning" "bucket_shop-assets-7f3a" {
  bucket = aws_s3_bucket.bucket_shop-assets-7f3a.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "bucket_shop-assets-7f3a" {
  bucket = aws_s3_bucket.bucket_shop-assets-7f3a.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "bucket_shop-assets-7f3a" {
  bucket                  = aws_s3_bucket.bucket_shop-assets-7f3a.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_lifecycle_configuration" "bucket_shop-assets-7f3a" {
  bucket = aws_s3_bucket.bucket_shop-assets-7f3a.id

  rule {
    id     = "storage-class"
    status = "Enabled"

    filter {
      prefix = ""
    }

    transition {
      days          = 30
      storage_class = "STANDARD_IA"
    }
  }
}

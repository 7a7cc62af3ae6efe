# cluster apps for project shop, requested by alice.
# Managed by cloudops: change it through a pull request.
data "aws_iam_policy_document" "cluster_apps_assume" {
  statement {
    actions = [
      "sts:AssumeRole",
    ]

    principals {
      type = "Service"
      identifiers = [
        "eks.amazonaws.com",
      ]
    }
  }
}

data "aws_iam_policy_document" "cluster_apps_nodes_assume" {
  statement {
    actions = [
      "sts:AssumeRole",
    ]

    principals {
      type = "Service"
      identifiers = [
        "ec2.amazonaws.com",
      ]
    }
  }
}

resource "aws_iam_role" "cluster_apps" {
  name               = "apps-eks-cluster"
  assume_role_policy = data.aws_iam_policy_document.cluster_apps_assume.json
  tags = {
    Name         = "apps"
    managed-by   = "cloudops"
    requested-by = "alice"
    project      = "shop"
  }
}

resource "aws_iam_role_policy_attachment" "cluster_apps" {
  role       = aws_iam_role.cluster_apps.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
}

resource "aws_eks_cluster" "cluster_apps" {
  name     = "apps"
  role_arn = aws_iam_role.cluster_apps.arn
  version  = "1.30"

  vpc_config {
    subnet_ids = [
      aws_subnet.network_main__app.id,
      aws_subnet.network_main__data.id,
    ]
  }

  tags = {
    Name         = "apps"
    managed-by   = "cloudops"
    requested-by = "alice"
    project      = "shop"
  }
  depends_on = [
    aws_iam_role_policy_attachment.cluster_apps,
  ]
}

resource "aws_iam_role" "cluster_apps_nodes" {
  name               = "apps-eks-nodes"
  assume_role_policy = data.aws_iam_policy_document.cluster_apps_nodes_assume.json
  tags = {
    Name         = "apps"
    managed-by   = "cloudops"
    requested-by = "alice"
    project      = "shop"
  }
}

resource "aws_iam_role_policy_attachment" "cluster_apps_nodes_AmazonEKSWorkerNodePolicy" {
  role       = aws_iam_role.cluster_apps_nodes.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy"
}

resource "aws_iam_role_policy_attachment" "cluster_apps_nodes_AmazonEKS_CNI_Policy" {
  role       = aws_iam_role.cluster_apps_nodes.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"
}

resource "aws_iam_role_policy_attachment" "cluster_apps_nodes_AmazonEC2ContainerRegistryReadOnly" {
  role       = aws_iam_role.cluster_apps_nodes.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
}

resource "aws_eks_node_group" "cluster_apps" {
  cluster_name    = aws_eks_cluster.cluster_apps.name
  node_group_name = "primary"
  node_role_arn   = aws_iam_role.cluster_apps_nodes.arn
  subnet_ids = [
    aws_subnet.network_main__app.id,
    aws_subnet.network_main__data.id,
  ]
  instance_types = [
    "t3.medium",
  ]

  scaling_config {
    desired_size = 2
    min_size     = 2
    max_size     = 2
  }

  tags = {
    Name         = "apps"
    managed-by   = "cloudops"
    requested-by = "alice"
    project      = "shop"
  }
  depends_on = [
    aws_iam_role_policy_attachment.cluster_apps_nodes_AmazonEKSWorkerNodePolicy,
    aws_iam_role_policy_attachment.cluster_apps_nodes_AmazonEKS_CNI_Policy,
    aws_iam_role_policy_attachment.cluster_apps_nodes_AmazonEC2ContainerRegistryReadOnly,
  ]
}

# dev: one branch office over static routing, through the VPC's virtual private gateway.
region     = "eu-central-1"
account_id = "111111111111"
tags = {
  owner       = "netops"
  cost-center = "it-dev"
}

state {
  bucket = "acme-tfstate-dev"
  region = "eu-central-1"
}

vpc {
  id              = "vpc-0d1e2f3a4b5c60718"
  cidr            = "10.10.0.0/16"
  subnet_ids      = ["subnet-0d10000000000000a", "subnet-0d10000000000000b"]
  route_table_ids = ["rtb-0d10000000000000a"]
}

logging {
  retention_days = 30
}

site "lab-office" {
  ip_address     = "198.51.100.20"
  device_name    = "Ubiquiti EdgeRouter 4"
  routing        = "static"
  static_routes  = ["192.168.50.0/24"]
  crypto_profile = "compatible"
  tunnel {
    inside_cidr = "169.254.50.0/30"
  }
  tunnel {
    inside_cidr = "169.254.50.4/30"
  }
}

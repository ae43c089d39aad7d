# dev: one branch office over static routing, through the VPC's virtual private gateway.
region     = "eu-central-1"
account_id = "111111111111"
tier       = "development"
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
  route_table_ids = ["rtb-0d10000000000000a"]
  subnets = {
    "subnet-0d10000000000000a" = { availability_zone = "eu-central-1a", route_table_id = "rtb-0d10000000000000a" }
    "subnet-0d10000000000000b" = { availability_zone = "eu-central-1b", route_table_id = "rtb-0d10000000000000a" }
  }
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
  # A policy-based device: its IPsec policies name the lab network and the VPC.
  local_ipv4_network_cidr  = "192.168.50.0/24"
  remote_ipv4_network_cidr = "10.10.0.0/16"
  tunnel {
    inside_cidr = "169.254.50.0/30"
  }
  tunnel {
    inside_cidr = "169.254.50.4/30"
  }
}

# Developers: certificate authentication, split tunnel, the VPC and the lab office.
client_vpn "developers" {
  description           = "dev remote access"
  client_cidr           = "10.110.0.0/22"
  authentication        = ["certificate"]
  server_certificate {
    pki = "dev"
  }
  # One association: each costs about $0.10 an hour (about $73 a month), and the provider waits a
  # fixed 4 minutes after creating and after deleting each. Production keeps two zones for redundancy.
  subnet_ids            = ["subnet-0d10000000000000a"]
  split_tunnel          = true
  dns_servers           = ["10.10.0.2"]
  session_timeout_hours = 12
  transport_protocol    = "udp"
  vpn_port              = 1194

  route "lab-office" {
    destination = "192.168.50.0/24"
    description = "lab office through the site-to-site VPN"
  }
  authorization "vpc" {
    networks    = ["10.10.0.0/16"]
    description = "every developer reaches the dev VPC"
  }
  authorization "lab-office" {
    networks = ["192.168.50.0/24"]
  }
}

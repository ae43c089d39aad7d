# staging: two offices; one static, one BGP with its own keys from Secrets Manager.
region          = "eu-central-1"
account_id      = "222222222222"
assume_role_arn = "arn:aws:iam::222222222222:role/vpn-deployer"
tier            = "staging"
tags = {
  owner       = "netops"
  cost-center = "it-staging"
}

state {
  bucket = "acme-tfstate-staging"
  region = "eu-central-1"
}

vpc {
  id              = "vpc-0a5b6c7d8e9f00112"
  cidr            = "10.30.0.0/16"
  route_table_ids = ["rtb-0a50000000000000a", "rtb-0a50000000000000b"]
  subnets = {
    "subnet-0a50000000000000a" = { availability_zone = "eu-central-1a", route_table_id = "rtb-0a50000000000000a" }
    "subnet-0a50000000000000b" = { availability_zone = "eu-central-1b", route_table_id = "rtb-0a50000000000000b" }
  }
}

vpn_gateway {
  amazon_side_asn = 64620
}

logging {
  retention_days = 90
}

alarms {
  emails = ["netops-staging@example.com"]
}

site "hamburg-office" {
  ip_address     = "203.0.113.40"
  device_name    = "FortiGate 60F"
  routing        = "static"
  static_routes  = ["192.168.30.0/24", "192.168.31.0/24"]
  crypto_profile = "modern"
  tunnel {
    inside_cidr         = "169.254.30.0/30"
    dpd_timeout_seconds = 40
  }
  tunnel {
    inside_cidr         = "169.254.30.4/30"
    dpd_timeout_seconds = 40
  }
}

site "munich-lab" {
  ip_address     = "203.0.113.41"
  device_name    = "strongSwan 5.9"
  routing        = "bgp"
  bgp_asn        = 65031
  crypto_profile = "modern"
  tunnel {
    inside_cidr          = "169.254.31.0/30"
    preshared_key_secret = "staging/vpn/munich-lab/tunnel1"
    startup_action       = "start"
  }
  tunnel {
    inside_cidr          = "169.254.31.4/30"
    preshared_key_secret = "staging/vpn/munich-lab/tunnel2"
    startup_action       = "start"
  }
}

# Testers: Active Directory groups plus a device certificate; clients may reach each other.
client_vpn "testers" {
  client_cidr                   = "10.130.0.0/20"
  authentication                = ["certificate", "directory"]
  directory_id                  = "d-9a7b6c5d4e"
  server_certificate {
    pki = "staging"
  }
  subnet_ids                    = ["subnet-0a50000000000000a", "subnet-0a50000000000000b"]
  dns_servers                   = ["10.30.0.2"]
  session_timeout_hours         = 10
  disconnect_on_session_timeout = true
  transport_protocol            = "tcp"
  vpn_port                      = 443
  client_to_client              = true
  login_banner                  = "Staging network. Test data only; activity is logged."

  route "hamburg-office" {
    destination = "192.168.30.0/24"
  }
  authorization "dns" {
    networks = ["10.30.0.2/32"]
  }
  authorization "qa-vpc" {
    group    = "S-1-5-21-3623811015-3361044348-30300820-1013"
    networks = ["10.30.0.0/16"]
  }
  authorization "qa-hamburg" {
    group    = "S-1-5-21-3623811015-3361044348-30300820-1013"
    networks = ["192.168.30.0/24"]
  }
}

# prod: headquarters and a branch on the VPC's virtual private gateway, and a data
# centre on the existing transit gateway. The production tier guards it against replacement and
# deletion, runs every policy check, and needs two availability zones per Client VPN endpoint.
region          = "eu-central-1"
account_id      = "333333333333"
assume_role_arn = "arn:aws:iam::333333333333:role/vpn-deployer"
tier            = "production"
tags = {
  owner       = "netops"
  cost-center = "it-prod"
  compliance  = "iso27001"
}

state {
  bucket = "acme-tfstate-prod"
  region = "eu-central-1"
}

vpc {
  id              = "vpc-0c1d2e3f4a5b60789"
  cidr            = "10.20.0.0/16"
  route_table_ids = ["rtb-0c10000000000000a", "rtb-0c10000000000000b", "rtb-0c10000000000000c"]
  subnets = {
    "subnet-0c10000000000000a" = { availability_zone = "eu-central-1a", route_table_id = "rtb-0c10000000000000a" }
    "subnet-0c10000000000000b" = { availability_zone = "eu-central-1b", route_table_id = "rtb-0c10000000000000b" }
    "subnet-0c10000000000000c" = { availability_zone = "eu-central-1c", route_table_id = "rtb-0c10000000000000c" }
  }
}

vpn_gateway {
  amazon_side_asn = 64512
}

logging {
  retention_days = 365
  create_kms_key = true
}

alarms {
  emails = ["netops-oncall@example.com"]
}

# Stricter than "modern": GCM only, SHA2-384 and up, elliptic-curve groups only.
crypto_profile "prod-strict" {
  ike_versions                 = ["ikev2"]
  phase1_encryption_algorithms = ["AES256-GCM-16"]
  phase1_integrity_algorithms  = ["SHA2-384", "SHA2-512"]
  phase1_dh_group_numbers      = [20, 21]
  phase1_lifetime_seconds      = 14400
  phase2_encryption_algorithms = ["AES256-GCM-16"]
  phase2_integrity_algorithms  = ["SHA2-384", "SHA2-512"]
  phase2_dh_group_numbers      = [20, 21]
  phase2_lifetime_seconds      = 3600
}

site "berlin-hq" {
  ip_address     = "203.0.113.10"
  device_name    = "Cisco ASR 1001-X"
  routing        = "bgp"
  bgp_asn        = 65010
  crypto_profile = "prod-strict"
  # Off until reviewed: turning tunnel lifecycle control on (the production default) replaces each
  # tunnel's endpoint at once (ModifyVpnTunnelOptions). Turn it on one tunnel at a time, in a reviewed change.
  tunnel_lifecycle_control = false
  tunnel {
    inside_cidr               = "169.254.10.0/30"
    dpd_timeout_seconds       = 30
    dpd_timeout_action        = "restart"
    startup_action            = "start"
    rekey_margin_time_seconds = 540
    rekey_fuzz_percentage     = 100
    replay_window_size        = 1024
  }
  tunnel {
    inside_cidr               = "169.254.10.4/30"
    dpd_timeout_seconds       = 30
    dpd_timeout_action        = "restart"
    startup_action            = "start"
    rekey_margin_time_seconds = 540
    rekey_fuzz_percentage     = 100
    replay_window_size        = 1024
  }
}

site "paris-branch" {
  ip_address     = "198.51.100.30"
  device_name    = "Palo Alto PA-440"
  routing        = "static"
  bgp_asn        = 65020
  static_routes  = ["192.168.20.0/24", "192.168.21.0/24"]
  crypto_profile = "modern"
  # Off until reviewed: turning tunnel lifecycle control on (the production default) replaces each
  # tunnel's endpoint at once (ModifyVpnTunnelOptions). Turn it on one tunnel at a time, in a reviewed change.
  tunnel_lifecycle_control = false
  tunnel {
    inside_cidr          = "169.254.20.0/30"
    preshared_key_secret = "prod/vpn/paris-branch/tunnel1"
  }
  tunnel {
    inside_cidr          = "169.254.20.4/30"
    preshared_key_secret = "prod/vpn/paris-branch/tunnel2"
  }
}

site "frankfurt-dc" {
  ip_address         = "192.0.2.50"
  device_name        = "Juniper MX204"
  routing            = "bgp"
  bgp_asn            = 4200000101
  crypto_profile     = "prod-strict"
  enable_acceleration = false
  transit_gateway {
    id             = "tgw-0f1e2d3c4b5a69788"
    route_table_id = "tgw-rtb-0f1e2d3c4b5a69788"
  }
  tunnel {
    inside_cidr                     = "169.254.40.0/30"
    enable_tunnel_lifecycle_control = true
    log_output_format               = "text"
  }
  tunnel {
    inside_cidr                     = "169.254.40.4/30"
    enable_tunnel_lifecycle_control = true
    log_output_format               = "text"
  }
}

# Staff: SAML groups from the identity provider plus a device certificate (mutual TLS),
# full tunnel so that all traffic passes the corporate egress.
client_vpn "staff" {
  description                    = "prod staff remote access"
  client_cidr                    = "10.100.0.0/20"
  authentication                 = ["certificate", "saml"]
  saml_provider_arn              = "arn:aws:iam::333333333333:saml-provider/corp-idp"
  self_service_saml_provider_arn = "arn:aws:iam::333333333333:saml-provider/corp-idp-portal"
  self_service_portal            = true
  server_certificate {
    acm_arn = "arn:aws:acm:eu-central-1:333333333333:certificate/6f1d2a9e-3b4c-4d5e-8f70-1a2b3c4d5e6f"
  }
  client_root_certificate {
    acm_arn = "arn:aws:acm:eu-central-1:333333333333:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
  }
  subnet_ids                     = ["subnet-0c10000000000000a", "subnet-0c10000000000000b"]
  split_tunnel                   = false
  dns_servers                    = ["10.20.0.2"]
  session_timeout_hours          = 8
  disconnect_on_session_timeout  = true
  route_enforcement              = true
  login_banner                   = "Authorized ACME staff only. Connections are logged and monitored."
  client_connect_lambda_arn      = "arn:aws:lambda:eu-central-1:333333333333:function:AWSClientVPN-posture-check"
  # What the cost estimate assumes: up to 40 staff connected at once, a working month each.
  usage {
    concurrent_users = 40
    hours_per_month  = 176
  }

  route "internet" {
    destination = "0.0.0.0/0"
    description = "full tunnel: internet through the VPC's NAT gateways"
  }
  route "paris-branch" {
    destination = "192.168.20.0/23"
    description = "Paris branch through the site-to-site VPN"
  }
  authorization "dns" {
    networks    = ["10.20.0.2/32"]
    description = "every user resolves names; engineering-vpc would shut others out by longest prefix"
  }
  authorization "engineering-vpc" {
    group    = "engineering"
    networks = ["10.20.0.0/16"]
  }
  authorization "finance-paris" {
    group    = "finance"
    networks = ["192.168.20.0/24", "192.168.21.0/24"]
  }
  authorization "internet" {
    group    = "staff"
    networks = ["0.0.0.0/0"]
  }
}

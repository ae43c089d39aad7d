"""One module per vpnctl command, each with its sub-parser (`add_parser`, which sets the handler) and its
handler; vpnctl/cli.py assembles them. They import what their work needs inside the handler, so that
`vpnctl validate` never loads cdktf. What several share: options.py (options, output folder, usage errors)
and terraform_frame.py (locks, progress, interrupts and the guard around a Terraform command)."""

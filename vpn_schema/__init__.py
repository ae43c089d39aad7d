"""AWS's rules as data and validators, and the typed models of an environment and of every construct's props.

cdktf-free (standard library and pydantic only): `vpnctl validate` answers without starting jsii, and the
constructs in `modules` take their props from here.
"""

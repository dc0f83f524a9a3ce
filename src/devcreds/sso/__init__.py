"""IAM Identity Center client side: botocore clients for SSO OIDC and the portal, login flows."""

"""``devcreds serve``: the container-credentials endpoint every AWS SDK reads.

An app given ``AWS_CONTAINER_CREDENTIALS_FULL_URI`` (a loopback URL naming a
profile) and ``AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`` (or the token itself)
asks this server for credentials and refreshes them on its own; the two
variables never expire and hold no AWS secret.

    state.py   the port, the authorization token file, the endpoint URL, probing
    supply.py  credentials per profile, held in memory and renewed ahead of expiry
    server.py  the HTTP endpoint (stdlib threading server)
"""

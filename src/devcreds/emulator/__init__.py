"""A local IAM Identity Center: SSO OIDC, the SSO portal and STS on one loopback port.

It speaks the real wire protocol (docs/protocol.md), so botocore, boto3, the AWS CLI
and devcreds itself can run against it with no AWS account. It imports
nothing from the rest of devcreds, so one misreading of the protocol cannot
hide on both sides.
"""

from devcreds.emulator.app import Emulator
from devcreds.emulator.config import EmulatorConfig
from devcreds.emulator.server import EmulatorServer, running

__all__ = ["Emulator", "EmulatorConfig", "EmulatorServer", "running"]

"""NetSuite sandbox: SuiteQL over REST, Token-Based Authentication and OAuth 2.0 client credentials, NetSuite's
limits and errors."""

from sandbox.netsuite.app import SUITEQL_PATH, NetSuiteApp
from sandbox.netsuite.oauth import NetSuiteCredentials

__all__ = ["SUITEQL_PATH", "NetSuiteApp", "NetSuiteCredentials"]

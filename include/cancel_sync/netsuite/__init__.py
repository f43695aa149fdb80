"""NetSuite: the SuiteQL client, its hook, and the extraction of canceled sales orders."""

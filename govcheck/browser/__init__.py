"""The browser pass: real Chromium (Debian's, through Playwright) for pages filled by script and for the
screenshots a finding is shown with. See govcheck/browser/README.md."""

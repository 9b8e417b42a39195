"""Report writers: each takes a run's results and a directory and writes one file there."""

from reports.html_writer import write_html
from reports.json_writer import write_json
from reports.junit_writer import write_junit

WRITERS = (write_json, write_html, write_junit)

"""Report writers: each takes a run's results and a directory and writes one file there."""

from reports.code_quality_writer import write_code_quality
from reports.html_writer import write_html
from reports.json_writer import write_json
from reports.junit_writer import write_junit
from reports.markdown_writer import write_summary

WRITERS = (write_json, write_html, write_junit, write_summary, write_code_quality)

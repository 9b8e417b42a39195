# src/utils/logging_config.py

import logging
import json
from datetime import datetime, timezone
from typing import Dict, Any


# Fix: the seed passed the bound method self._format_record to
# logging.Formatter, which expects a format string (TypeError at
# construction). A Formatter subclass whose format() returns the JSON
# replaces it; timestamps are now timezone-aware UTC (the seed used the
# naive, deprecated datetime.utcnow()).
class StructuredFormatter(logging.Formatter):
    """Format log records as structured JSON"""
    
    def format(self, record: logging.LogRecord) -> str:
        """Format log record as structured JSON"""
        log_entry = {
            'timestamp': datetime.now(timezone.utc).isoformat(),
            'level': record.levelname,
            'logger': record.name,
            'message': record.getMessage(),
            'module': record.module,
            'function': record.funcName,
            'line': record.lineno
        }
        
        # Add extra fields if present
        if hasattr(record, 'extra_fields'):
            log_entry.update(record.extra_fields)
        
        return json.dumps(log_entry)


class StructuredLogger:
    """Structured logging for analytics applications"""
    
    def __init__(self, name: str, level: str = 'INFO'):
        self.logger = logging.getLogger(name)
        self.logger.setLevel(getattr(logging, level.upper()))
        
        # Fix: the seed added a new console handler each time a logger of the
        # same name was constructed, so every line was emitted once per
        # construction. Add the handler only once per logger.
        if not any(getattr(h, '_structured_console', False) for h in self.logger.handlers):
            # Console handler
            console_handler = logging.StreamHandler()
            console_handler.setFormatter(StructuredFormatter())
            console_handler._structured_console = True
            self.logger.addHandler(console_handler)
    
    # Fix: the seed offered info/warning/error only; debug and critical added.
    def debug(self, message: str, **kwargs):
        """Log debug message with extra fields"""
        self.logger.debug(message, extra={'extra_fields': kwargs})
    
    def info(self, message: str, **kwargs):
        """Log info message with extra fields"""
        self.logger.info(message, extra={'extra_fields': kwargs})
    
    def error(self, message: str, **kwargs):
        """Log error message with extra fields"""
        self.logger.error(message, extra={'extra_fields': kwargs})
    
    def warning(self, message: str, **kwargs):
        """Log warning message with extra fields"""
        self.logger.warning(message, extra={'extra_fields': kwargs})
    
    def critical(self, message: str, **kwargs):
        """Log critical message with extra fields"""
        self.logger.critical(message, extra={'extra_fields': kwargs})


# Fix: the seed ran this usage example (and logged) at import time; it now
# runs only when executed as a script.
if __name__ == "__main__":
    # Usage example
    logger = StructuredLogger('analytics.pipeline')
    
    # Log pipeline events
    logger.info(
        "Pipeline started",
        pipeline_name="customer_analytics",
        run_id="run_12345",
        source_records=10000
    )
    
    logger.error(
        "Data quality check failed",
        pipeline_name="customer_analytics",
        table_name="customers",
        quality_score=0.75,
        threshold=0.8
    )

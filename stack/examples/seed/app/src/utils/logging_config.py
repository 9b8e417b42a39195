# src/utils/logging_config.py

import logging
import json
from datetime import datetime
from typing import Dict, Any

class StructuredLogger:
    """Structured logging for analytics applications"""
    
    def __init__(self, name: str, level: str = 'INFO'):
        self.logger = logging.getLogger(name)
        self.logger.setLevel(getattr(logging, level.upper()))
        
        # Create structured formatter
        formatter = logging.Formatter(self._format_record)
        
        # Console handler
        console_handler = logging.StreamHandler()
        console_handler.setFormatter(formatter)
        self.logger.addHandler(console_handler)
    
    def _format_record(self, record: logging.LogRecord) -> str:
        """Format log record as structured JSON"""
        log_entry = {
            'timestamp': datetime.utcnow().isoformat(),
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
    
    def info(self, message: str, **kwargs):
        """Log info message with extra fields"""
        self.logger.info(message, extra={'extra_fields': kwargs})
    
    def error(self, message: str, **kwargs):
        """Log error message with extra fields"""
        self.logger.error(message, extra={'extra_fields': kwargs})
    
    def warning(self, message: str, **kwargs):
        """Log warning message with extra fields"""
        self.logger.warning(message, extra={'extra_fields': kwargs})

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

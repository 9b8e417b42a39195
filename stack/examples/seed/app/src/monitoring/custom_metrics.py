# src/monitoring/custom_metrics.py

import time
from datetime import datetime
from prometheus_client import Counter, Histogram, Gauge, Enum
from typing import Dict, Any

class AnalyticsMetrics:
    """Custom metrics for analytics pipeline monitoring"""
    
    def __init__(self):
        # Pipeline metrics
        self.pipeline_runs = Counter(
            'pipeline_runs_total',
            'Total number of pipeline runs',
            ['pipeline_name', 'status']
        )
        
        self.pipeline_duration = Histogram(
            'pipeline_duration_seconds',
            'Time spent processing pipeline',
            ['pipeline_name'],
            buckets=[1, 5, 10, 30, 60, 300, 600, 1800, 3600]
        )
        
        # Data quality metrics
        self.data_quality_score = Gauge(
            'data_quality_score',
            'Current data quality score',
            ['table_name', 'dimension']
        )
        
        self.records_processed = Counter(
            'records_processed_total',
            'Total number of records processed',
            ['source', 'destination']
        )
        
        # API metrics
        self.api_requests = Counter(
            'api_requests_total',
            'Total API requests',
            ['endpoint', 'method', 'status_code']
        )
        
        self.api_duration = Histogram(
            'api_request_duration_seconds',
            'API request duration',
            ['endpoint', 'method']
        )
        
        # Database metrics
        self.query_duration = Histogram(
            'database_query_duration_seconds',
            'Database query execution time',
            ['query_type'],
            buckets=[0.1, 0.5, 1, 2, 5, 10, 30, 60]
        )
        
        self.connection_pool_size = Gauge(
            'database_connection_pool_size',
            'Database connection pool metrics',
            ['pool_name', 'status']
        )
    
    def record_pipeline_run(self, pipeline_name: str, status: str, duration: float):
        """Record pipeline execution metrics"""
        self.pipeline_runs.labels(pipeline_name=pipeline_name, status=status).inc()
        self.pipeline_duration.labels(pipeline_name=pipeline_name).observe(duration)
    
    def update_data_quality(self, table_name: str, dimension: str, score: float):
        """Update data quality metrics"""
        self.data_quality_score.labels(table_name=table_name, dimension=dimension).set(score)
    
    def record_api_request(self, endpoint: str, method: str, status_code: int, duration: float):
        """Record API request metrics"""
        self.api_requests.labels(endpoint=endpoint, method=method, status_code=status_code).inc()
        self.api_duration.labels(endpoint=endpoint, method=method).observe(duration)

# Global metrics instance
metrics = AnalyticsMetrics()

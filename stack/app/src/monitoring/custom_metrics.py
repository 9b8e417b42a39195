# src/monitoring/custom_metrics.py

import time
from datetime import datetime
# Fix: the seed imported Enum from prometheus_client but never used it.
from prometheus_client import Counter, Histogram, Gauge
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
            # Fix: the seed's largest finite bucket was 3600, the PipelineDurationHigh threshold.
            # histogram_quantile never returns more than the largest finite bound, so the alert
            # could never fire (virtual-time check test_fires[PipelineDurationHigh]).
            buckets=[1, 5, 10, 30, 60, 300, 600, 1800, 3600, 7200, 14400]
        )
        
        # Fix: the executive dashboard's Data Freshness panel queries
        # pipeline_last_success_timestamp but nothing in the seed produced it.
        self.pipeline_last_success = Gauge(
            'pipeline_last_success_timestamp',
            'Unix time of the last successful pipeline run',
            ['pipeline_name']
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
        if status == "success":
            self.pipeline_last_success.labels(pipeline_name=pipeline_name).set_to_current_time()
    
    def update_data_quality(self, table_name: str, dimension: str, score: float):
        """Update data quality metrics"""
        self.data_quality_score.labels(table_name=table_name, dimension=dimension).set(score)
    
    def record_api_request(self, endpoint: str, method: str, status_code: int, duration: float):
        """Record API request metrics"""
        self.api_requests.labels(endpoint=endpoint, method=method, status_code=status_code).inc()
        self.api_duration.labels(endpoint=endpoint, method=method).observe(duration)
    
    # Fix: the seed declared the metrics below (queried by the
    # DatabaseConnectionPoolExhausted rule and the operations dashboard) but
    # gave no method to record them.
    def set_connection_pool(self, pool_name: str, active: int, total: int):
        """Record active and total connections of a database connection pool"""
        self.connection_pool_size.labels(pool_name=pool_name, status="active").set(active)
        self.connection_pool_size.labels(pool_name=pool_name, status="total").set(total)
    
    def record_query(self, query_type: str, duration: float):
        """Record database query execution time"""
        self.query_duration.labels(query_type=query_type).observe(duration)
    
    def record_records_processed(self, source: str, destination: str, count: int):
        """Record records moved from source to destination"""
        self.records_processed.labels(source=source, destination=destination).inc(count)

# Global metrics instance
metrics = AnalyticsMetrics()

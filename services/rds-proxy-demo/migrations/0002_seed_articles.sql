-- Sample data so a fresh deployment answers GET /articles?type=news straight away.
INSERT INTO articles (type, title, summary, published_at) VALUES
  ('news',    'Aurora Serverless v2 scales to zero',       'Clusters on recent engine versions can pause when idle.',          '2025-03-10T09:00:00Z'),
  ('news',    'Pooling connections for Lambda',            'RDS Proxy shares database connections between executions.',        '2025-06-02T12:30:00Z'),
  ('news',    'PostgreSQL 16 on Aurora',                   'Logical replication from standbys and faster bulk loading.',       '2024-11-20T08:15:00Z'),
  ('guide',   'Connecting Lambda to Aurora through a proxy','Reuse one connection per execution environment, sign IAM tokens.', '2025-01-15T10:00:00Z'),
  ('guide',   'Schema migrations without a bastion',       'Run them from a function inside the VPC, under an advisory lock.', '2025-02-01T16:45:00Z'),
  ('release', 'rds-proxy-demo 1.0',                        'First release of the pattern.',                                    '2025-04-01T00:00:00Z');

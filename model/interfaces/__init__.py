"""What people touch: the ``retention`` command line, the browser app, figures and HTML reports.
The top layer of the model package: it may import every layer below it, and none imports it.
"""

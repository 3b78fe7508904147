"""Store: the canonical dataset on disk, written atomically and read by partition.

Layout of a dataset folder::

    DATASET/
      agency=<id>/year=<yyyy>/month=<m>/part-<key>.parquet   canonical rows
      _quarantine/agency=<id>/<key>.parquet                   rows not kept, with a reason
      _reports/agency=<id>/<key>.json                         the ingest report of each input file
      _keys/agency=<id>/year=<yyyy>/month=<m>/<key>.parquet   the incident keys each input file wrote there

``<key>`` identifies one input file by its content (SHA-256), so ingesting the
same file again replaces exactly what it wrote before; the key indexes let a
re-export with other bytes replace the rows it holds again
(:mod:`responsestats.ingestion.reexports`). Folders starting with
``_`` are skipped by Parquet readers of the dataset.

* :mod:`.transaction`: one atomic write (stage, hard-link, swap), with the
  operating-system specifics in the private :mod:`._platform`;
* :mod:`.read`: rows, quarantine and reports, reading only the partitions
  and columns asked for (:func:`call_partitions`: one partition, or a piece of one, at a time);
  :mod:`.partitions`: the one partition filter;
* :mod:`.dask_reader`: the same dataset as a Dask DataFrame.
"""

from .dask_reader import read_calls_dask
from .partitions import as_date, partition_filter, received_between
from .read import (
    CallPartitions,
    call_partitions,
    dataset_row_count,
    latest_stamp,
    list_agencies,
    list_dimensions,
    months_present,
    open_dataset,
    read_calls,
    read_quarantine,
    read_reports,
)
from .transaction import DatasetTransaction, PartFile, check_agency_id, file_key

__all__ = [
    "CallPartitions",
    "DatasetTransaction",
    "PartFile",
    "as_date",
    "call_partitions",
    "check_agency_id",
    "dataset_row_count",
    "file_key",
    "latest_stamp",
    "list_agencies",
    "list_dimensions",
    "months_present",
    "open_dataset",
    "partition_filter",
    "read_calls",
    "read_calls_dask",
    "read_quarantine",
    "read_reports",
    "received_between",
]

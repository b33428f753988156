"""The lake: s3:// URLs mapped to a local data root, and atomic directory publishing."""

from stepline.lake.defaults import DATA_ROOT_ENV, DEFAULT_DATA_ROOT, default_data_root
from stepline.lake.paths import LakePathError, LakePaths, S3Location, is_s3_url, parse_s3_url

__all__ = [
    "DATA_ROOT_ENV",
    "DEFAULT_DATA_ROOT",
    "LakePathError",
    "LakePaths",
    "S3Location",
    "default_data_root",
    "is_s3_url",
    "parse_s3_url",
]

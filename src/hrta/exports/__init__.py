"""hrta's data and questionnaire, written out for the tools people already use.

- `surveymonkey`: the SurveyMonkey expanded layout and the native long CSV (read back by hrta)
- `wide`, `data`: the wide layout and its files: SPSS `.sav`, Stata `.dta`, CSV, Parquet and
  XLSX, each with its codebook
- `xlsform`, `redcap`: the instrument as an XLSForm (KoboToolbox, ODK) and a REDCap Data
  Dictionary, each read back by its reader in `hrta.ingest`
Contact details are never written.
"""

from hrta.exports.surveymonkey import (
    surveymonkey_frame,
    write_frame_with_headers,
    write_native_csv,
    write_surveymonkey_csv,
)

__all__ = [
    "surveymonkey_frame",
    "write_frame_with_headers",
    "write_native_csv",
    "write_surveymonkey_csv",
]

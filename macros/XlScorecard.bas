Attribute VB_Name = "XlScorecard"
' Ribbon callbacks for the xlscorecard add-in.
'
' customUI/customUI14.xml names each Sub below in an onAction attribute. Each
' one hands the click to a zero-argument Python function in xlscorecard.addin
' through xlwings' RunPython (the "xlwings" module built into the same add-in,
' so the VBA and the Python package are the same xlwings version). Python finds
' the analyst's workbook with xw.Book.caller(): in an add-in that is the active
' workbook, not this file.
'
' xlscorecard.xlam is built from this file by `xlscorecard addin build`:
' edit this file, not the add-in, and rebuild.
Option Explicit

Public Sub OnRecompute(control As IRibbonControl)
    RunPython "import xlscorecard.addin; xlscorecard.addin.recompute()"
End Sub

Public Sub OnFlagCells(control As IRibbonControl)
    RunPython "import xlscorecard.addin; xlscorecard.addin.flag_cells()"
End Sub

Public Sub OnClearFlags(control As IRibbonControl)
    RunPython "import xlscorecard.addin; xlscorecard.addin.clear_flags()"
End Sub

Public Sub OnCheck(control As IRibbonControl)
    RunPython "import xlscorecard.addin; xlscorecard.addin.check()"
End Sub

Public Sub OnExportReturn(control As IRibbonControl)
    RunPython "import xlscorecard.addin; xlscorecard.addin.export_return()"
End Sub

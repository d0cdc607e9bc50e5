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

' ---------------------------------------------------------------------------
' Formats, notes and links in bulk, for xlscorecard.addin (Python).
'
 Python calls these three Functions through xlwings' App.macro, as
' "'xlscorecard.xlam'!XlScorecard.XlsApplyFormats", once per batch: each call
' is one round trip from Python however many cells it covers, so a scorecard of
' 20,000 rows takes as many calls as one of 100. The loops over cells run here,
' inside Excel. Python hands each batch over as a 2-D array of Variants (its
' rows and columns may start at 0 or 1); an array of 1-D rows is taken too.
'
' Colours are Excel's BGR Longs (red + 256 * green + 65536 * blue); NO_COLOUR
' means no fill (or the automatic font colour), MIXED_COLOUR a colour that could
' not be read. NOTE_PREFIX must equal NOTE_PREFIX in xlscorecard/addin/formats.py: a
' note that does not start with it is the analyst's and is never changed.

Private Const NOTE_PREFIX As String = "xlscorecard: "
Private Const NO_COLOUR As Long = -1
Private Const MIXED_COLOUR As Long = -2
Private Const COLOR_INDEX_NONE As Long = -4142
Private Const COLOR_INDEX_AUTOMATIC As Long = -4105

' items: one row per change, (address, kind, value, text, tip), kind being
'   "fill"       Interior.Color = value, or no fill when value < 0
'   "font"       Font.Color = value, or the automatic colour when value < 0
'   "note"       our note, text value; replaces a note only if that one is ours
'   "clearnote"  deletes the cell's note if it is ours
'   "link"       a hyperlink to SubAddress value (e.g. 'Q2 2018-19'!K13) in
'                this workbook, showing text, with screen tip tip
' Returns the number of items applied. An item that fails is skipped.
Public Function XlsApplyFormats(ByVal bookName As Variant, ByVal sheetName As Variant, _
                                ByVal items As Variant) As Long
    Dim ws As Worksheet
    Dim i As Long
    Dim twoD As Boolean
    Dim applied As Long
    Set ws = Workbooks(CStr(bookName)).Worksheets(CStr(sheetName))
    twoD = IsTwoD(items)
    For i = LBound(items, 1) To UBound(items, 1)
        If ApplyOne(ws, CStr(Field(items, twoD, i, 0)), CStr(Field(items, twoD, i, 1)), _
                    Field(items, twoD, i, 2), Field(items, twoD, i, 3), Field(items, twoD, i, 4)) Then
            applied = applied + 1
        End If
    Next i
    XlsApplyFormats = applied
End Function

' addresses: one cell address a row (a 2-D array of one column).
' Returns a 2-D array (1 To n, 1 To 2): each cell's fill colour (NO_COLOUR for
' none, MIXED_COLOUR if unreadable) and its note's text (Empty when it has none).
Public Function XlsReadFormats(ByVal bookName As Variant, ByVal sheetName As Variant, _
                               ByVal addresses As Variant) As Variant
    Dim ws As Worksheet
    Dim out() As Variant
    Dim i As Long
    Dim first As Long
    Dim twoD As Boolean
    Dim addr As String
    Set ws = Workbooks(CStr(bookName)).Worksheets(CStr(sheetName))
    twoD = IsTwoD(addresses)
    first = LBound(addresses, 1)
    ReDim out(1 To UBound(addresses, 1) - first + 1, 1 To 2)
    For i = 1 To UBound(out, 1)
        addr = CStr(Field(addresses, twoD, first + i - 1, 0))
        out(i, 1) = ReadColour(ws, addr)
        out(i, 2) = ReadNote(ws, addr)
    Next i
    XlsReadFormats = out
End Function

' address: one block of cells ("A1:S133"). Returns a 2-D array (1 To rows,
' 1 To 3 * columns): for the block's column c, item 3c-2 is a cell's number
' format, 3c-1 its font name and 3c its fill colour (NO_COLOUR for none), so
' that Python reads a PI ref shown as 1.10, a fraction shown as 31%, an arrow
' typed in a symbol font or a RAG given as a fill as Excel shows them. A
' column whose cells share a format, a font or a fill is read once for it.
Public Function XlsReadCellFormats(ByVal bookName As Variant, ByVal sheetName As Variant, _
                                   ByVal address As Variant) As Variant
    Dim ws As Worksheet
    Dim block As Range
    Dim col As Range
    Dim out() As Variant
    Dim sharedFormat As Variant
    Dim sharedFont As Variant
    Dim sharedFill As Long
    Dim r As Long
    Dim c As Long
    Set ws = Workbooks(CStr(bookName)).Worksheets(CStr(sheetName))
    Set block = ws.Range(CStr(address))
    ReDim out(1 To block.Rows.Count, 1 To 3 * block.Columns.Count)
    For c = 1 To block.Columns.Count
        Set col = block.Columns(c)
        sharedFormat = col.NumberFormat
        sharedFont = col.Font.Name
        sharedFill = ReadColour(ws, col.Address)
        For r = 1 To block.Rows.Count
            If IsNull(sharedFormat) Then
                out(r, 3 * c - 2) = col.Cells(r, 1).NumberFormat
            Else
                out(r, 3 * c - 2) = sharedFormat
            End If
            If IsNull(sharedFont) Then
                out(r, 3 * c - 1) = col.Cells(r, 1).Font.Name
            Else
                out(r, 3 * c - 1) = sharedFont
            End If
            If sharedFill = MIXED_COLOUR Then
                out(r, 3 * c) = ReadColour(ws, col.Cells(r, 1).Address)
            Else
                out(r, 3 * c) = sharedFill
            End If
        Next r
    Next c
    XlsReadCellFormats = out
End Function

Private Function ApplyOne(ByVal ws As Worksheet, ByVal addr As String, ByVal kind As String, _
                          ByVal v As Variant, ByVal shown As Variant, ByVal tip As Variant) As Boolean
    Dim rng As Range
    On Error GoTo Failed
    Set rng = ws.Range(addr)
    Select Case kind
        Case "fill"
            If CLng(v) < 0 Then
                rng.Interior.ColorIndex = COLOR_INDEX_NONE
            Else
                rng.Interior.Color = CLng(v)
            End If
        Case "font"
            If CLng(v) < 0 Then
                rng.Font.ColorIndex = COLOR_INDEX_AUTOMATIC
            Else
                rng.Font.Color = CLng(v)
            End If
        Case "note"
            If Not rng.Comment Is Nothing Then
                If Not IsOurs(rng.Comment.Text) Then Exit Function
                rng.Comment.Delete
            End If
            rng.AddComment CStr(v)
        Case "clearnote"
            If rng.Comment Is Nothing Then Exit Function
            If Not IsOurs(rng.Comment.Text) Then Exit Function
            rng.Comment.Delete
        Case "link"
            ws.Hyperlinks.Add Anchor:=rng, Address:="", SubAddress:=CStr(v), _
                              ScreenTip:=CStr(tip), TextToDisplay:=CStr(shown)
        Case Else
            Exit Function
    End Select
    ApplyOne = True
    Exit Function
Failed:
    ApplyOne = False
End Function

Private Function ReadColour(ByVal ws As Worksheet, ByVal addr As String) As Long
    Dim rng As Range
    Dim index As Variant
    Dim colour As Variant
    On Error GoTo Failed
    Set rng = ws.Range(addr)
    index = rng.Interior.ColorIndex
    colour = rng.Interior.Color
    If IsNull(index) Or IsNull(colour) Then
        ReadColour = MIXED_COLOUR
    ElseIf index = COLOR_INDEX_NONE Then
        ReadColour = NO_COLOUR
    Else
        ReadColour = CLng(colour)
    End If
    Exit Function
Failed:
    ReadColour = MIXED_COLOUR
End Function

Private Function ReadNote(ByVal ws As Worksheet, ByVal addr As String) As Variant
    Dim rng As Range
    On Error GoTo Failed
    Set rng = ws.Range(addr)
    If rng.Comment Is Nothing Then
        ReadNote = Empty
    Else
        ReadNote = rng.Comment.Text
    End If
    Exit Function
Failed:
    ReadNote = Empty
End Function

Private Function IsOurs(ByVal text As String) As Boolean
    IsOurs = (Left$(text, Len(NOTE_PREFIX)) = NOTE_PREFIX)
End Function

Private Function IsTwoD(ByRef a As Variant) As Boolean
    Dim lower As Long
    On Error GoTo NotTwoD
    lower = LBound(a, 2)
    IsTwoD = True
    Exit Function
NotTwoD:
    IsTwoD = False
End Function

Private Function Field(ByRef a As Variant, ByVal twoD As Boolean, ByVal i As Long, ByVal j As Long) As Variant
    If twoD Then
        Field = a(i, LBound(a, 2) + j)
    ElseIf IsArray(a(i)) Then
        Field = a(i)(LBound(a(i)) + j)
    Else
        Field = a(i)
    End If
End Function

from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'folder_index.md.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_title = resolve('title')
    l_0_description = resolve('description')
    l_0_navigation = resolve('navigation')
    l_0_folders = resolve('folders')
    l_0_files = resolve('files')
    try:
        t_1 = environment.filters['cell_code']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'cell_code' found.")
    try:
        t_2 = environment.filters['code']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'code' found.")
    try:
        t_3 = environment.filters['text']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'text' found.")
    pass
    yield '# '
    yield str(t_2((undefined(name='title') if l_0_title is missing else l_0_title)))
    yield '\n'
    if (undefined(name='description') if l_0_description is missing else l_0_description):
        pass
        yield '\n'
        yield str(t_3((undefined(name='description') if l_0_description is missing else l_0_description)))
        yield '\n'
    yield '\n'
    l_1_loop = missing
    for (l_1_label, l_1_target), l_1_loop in LoopContext((undefined(name='navigation') if l_0_navigation is missing else l_0_navigation), undefined):
        _loop_vars = {}
        pass
        yield '['
        yield str(t_3(l_1_label))
        yield ']('
        yield str(l_1_target)
        yield ')'
        yield str((' · ' if (not environment.getattr(l_1_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 7 in 'folder_index.md.j2' evaluated to false and no else section was defined.")))
    l_1_loop = l_1_label = l_1_target = missing
    yield '\n'
    if (undefined(name='folders') if l_0_folders is missing else l_0_folders):
        pass
        yield '\n## Folders\n\n| Folder | Files | Description |\n| --- | ---: | --- |\n'
        for l_1_f in (undefined(name='folders') if l_0_folders is missing else l_0_folders):
            _loop_vars = {}
            pass
            yield '| ['
            yield str(t_1(environment.getattr(l_1_f, 'name')))
            yield ']('
            yield str(environment.getattr(l_1_f, 'link'))
            yield ') | '
            yield str(environment.getattr(l_1_f, 'files'))
            yield ' | '
            yield str(t_3(environment.getattr(l_1_f, 'description')))
            yield ' |\n'
        l_1_f = missing
    if (undefined(name='files') if l_0_files is missing else l_0_files):
        pass
        yield '\n## Files\n\n| File | Type | Lines | Summary | Keywords |\n| --- | --- | ---: | --- | --- |\n'
        for l_1_f in (undefined(name='files') if l_0_files is missing else l_0_files):
            _loop_vars = {}
            pass
            yield '| ['
            yield str(t_1(environment.getattr(l_1_f, 'name')))
            yield ']('
            yield str(environment.getattr(l_1_f, 'link'))
            yield ') | '
            yield str(t_3(environment.getattr(l_1_f, 'kind')))
            yield ' | '
            yield str(environment.getattr(l_1_f, 'lines'))
            yield ' | '
            yield str(t_3(environment.getattr(l_1_f, 'summary')))
            yield ' | [keywords]('
            yield str(environment.getattr(l_1_f, 'keywords'))
            yield ') |\n'
        l_1_f = missing

blocks = {}
debug_info = '1=35&2=37&4=40&7=44&9=55&15=58&16=62&19=71&25=74&26=78'